"""Pages of the training pillar: curriculum, partners, sessions, tests, knowledge gain,
certificates, the scenario bank and the effect on harm."""
