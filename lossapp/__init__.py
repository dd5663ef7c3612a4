"""The Streamlit app's building blocks: page setup, controls and figure builders (losscore stays UI-free)."""
