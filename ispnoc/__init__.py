"""Floor 4: settings, the CLI, wiring of app, scheduler and collectors, and the demo."""
