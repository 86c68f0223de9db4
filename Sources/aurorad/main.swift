print("aurorad: not wired yet")
