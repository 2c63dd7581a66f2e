"""Small, readable code snippets that the teaching site shows, section by section.

Each module is importable without side effects (apart from registering a
Gymnasium environment id) and runs a short demo with ``python -m rl4rlhf.<name>``.
"""
