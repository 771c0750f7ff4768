"""Small real datasets bundled inside the package (no network needed)."""
