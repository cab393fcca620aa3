"""The generic test module the pytest plugin parametrizes over (requirement x subject)."""
