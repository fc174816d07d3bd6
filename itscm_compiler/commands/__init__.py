"""One module per command (or small family): thin click wrappers over the library."""
