"""The yardstick of bench/throughput.py: the least a Streamlit page can be (a slider and a line of text), served
by the same Streamlit and the same config as the app."""

import streamlit as st

value = st.slider("a slider", 0.0, 10.0, 5.0, 0.5)
st.write(f"The slider is at {value}.")
