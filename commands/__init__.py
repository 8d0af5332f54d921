"""The `flask --app app ...` command groups, a module each; thin like the blueprints."""


def register_commands(app) -> None:
    from commands import conversations, events, legacy, messages, snapshots, stats, tenants, webhooks

    for command in (tenants.group, conversations.group, stats.group, snapshots.group, legacy.legacy_import,
                    webhooks.group, events.group, messages.group):
        app.cli.add_command(command)
