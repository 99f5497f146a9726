"""Bare reference page of bench/bench_pages.py: a title and one plotly chart, nothing else.
Each page of the dashboard is measured as a ratio to this page, in the same run."""

import plotly.express as px
import streamlit as st

st.title("Page témoin")
st.plotly_chart(px.bar(x=["a", "b", "c"], y=[1, 3, 2]), width="stretch")
