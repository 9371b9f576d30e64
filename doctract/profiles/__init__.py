"""Profiles shipped with doctract (each found through the `doctract.profiles` entry point)."""
