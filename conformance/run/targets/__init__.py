"""What a run is asked to judge: local files and folders, URLs, and the live services a targets.toml names."""
