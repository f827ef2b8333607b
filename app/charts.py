"""Plotly figures for the epoch history."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

LOSS_LINES = (("d_loss", "D loss"), ("g_loss", "G loss"))
PROBABILITY_LINES = (("d_real", "D(x): real judged real"), ("d_fake", "D(G(z)): fake judged real"))


def history_figure(rows: list[dict[str, float]], marked_epoch: int | None) -> go.Figure:
    """Losses on top, the discriminator's verdicts below, the chosen epoch as a vertical line."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=("Mean loss per epoch", "Mean discriminator output"))
    epochs = [r["epoch"] for r in rows]
    for row, lines in ((1, LOSS_LINES), (2, PROBABILITY_LINES)):
        for key, name in lines:
            fig.add_trace(go.Scatter(x=epochs, y=[r[key] for r in rows], name=name, mode="lines"),
                          row=row, col=1)
    if marked_epoch is not None:
        fig.add_vline(x=marked_epoch, line_dash="dash", line_color="#d9480f")
    fig.update_xaxes(title_text="epoch", row=2, col=1)
    fig.update_layout(height=480, margin=dict(l=10, r=10, t=40, b=10),
                      legend=dict(orientation="h", y=-0.15))
    return fig
