"""The generated verifier: rendering the dual/strict verifier module from templates."""
