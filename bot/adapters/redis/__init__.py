"""Redis adapters: state shared by every instance of the bot (send limits)."""
