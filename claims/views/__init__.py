"""The reviewer web UI: pages are entry points that parse input, call selectors and services, and render."""
