"""The Streamlit explorer: a thin layer of pages over the cakegan package."""
