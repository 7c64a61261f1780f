"""FAMa civilian-harm-mitigation training: curriculum, sessions, tests, scenarios and effect."""
