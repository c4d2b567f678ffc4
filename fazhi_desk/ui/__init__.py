"""The Qt Widgets UI on top of the core. Only this package and tasks.py import Qt."""
