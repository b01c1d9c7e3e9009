"""Streamlit helpers shared by app.py and pages/ (outside pages/ so Streamlit does not list them)."""
