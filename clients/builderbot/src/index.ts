export { ChatKeepAdapter, type ChatKeepAdapterOptions, type HistoryEntry } from "./adapter.js";
export { ChatKeepStateHandler, chatKeepState } from "./state.js";
export { gatewayMessageId, recordConversation } from "./conversation.js";
export { FLOW_KEY } from "./records.js";
