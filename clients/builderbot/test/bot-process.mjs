import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const FIXTURE = new URL("./fixtures/bot.mjs", import.meta.url).pathname;

/** One bot process (test/fixtures/bot.mjs), talked to line by line. */
export class BotProcess {
  lines = [];
  waiters = [];

  static async start(name, env) {
    const bot = new BotProcess();
    // BuilderBot writes core.class.log and queue.class.log into its working directory.
    const cwd = (bot.cwd = mkdtempSync(join(tmpdir(), "chatkeep-bot-")));
    bot.child = spawn(process.execPath, [FIXTURE], { cwd, env: { ...process.env, ...env, BOT_NAME: name },
                                                    stdio: ["pipe", "pipe", "inherit"] });
    bot.exited = new Promise((resolve) => bot.child.on("exit", resolve));
    createInterface({ input: bot.child.stdout }).on("line", (text) => {
      let line;
      try { line = JSON.parse(text); } catch { return; }  // BuilderBot's own banner lines
      bot.lines.push(line);
      bot.waiters = bot.waiters.filter((w) => !(w.match(line) && (w.resolve(line), true)));
    });
    await bot.next((line) => line.ready);
    return bot;
  }

  say(from, body, id) {
    this.child.stdin.write(JSON.stringify({ from, body, id }) + "\n");
  }

  /** The first line (already seen or coming) that `match` accepts. */
  next(match, timeoutMs = 15000) {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching line; got ${JSON.stringify(this.lines)}`)), timeoutMs);
      this.waiters.push({ match, resolve: (line) => { clearTimeout(timer); resolve(line); } });
    });
  }

  /** Waits for the answer to `to` containing `text` and for its save to be done. */
  async answered(to, text) {
    const answer = await this.next((l) => l.to === to && l.text?.includes(text));
    await this.next((l) => l.to === to && typeof l.saved === "string" && l.saved.includes(text));
    return answer.text;
  }

  async kill(signal = "SIGKILL") {
    this.child.kill(signal);
    await this.exited;
    rmSync(this.cwd, { recursive: true, force: true });
  }
}
