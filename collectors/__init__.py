"""Floor 2: device inventory, what the collectors observe, and the collectors themselves."""
