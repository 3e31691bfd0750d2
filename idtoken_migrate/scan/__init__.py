"""Scan: find token verification sites in Python source and classify them. Prints nothing."""
