# %% [markdown]
# # convolens in a notebook
#
# Loads the bundled example data (`examples/data/example.jsonl`, 400 users over
# June–July 2025) into a `convolens.Engine`, shows report sections as pandas DataFrames,
# and plots daily active users and cost per day with matplotlib, saving the figures as
# PNG files in `target/notebook/`.
#
# Run it as a script (`python examples/notebook.py` with the package installed, e.g.
# `target/py-venv/bin/python` after `bash bindings-python/test.sh`), or open it in
# Jupyter / VS Code, which read the `# %%` cells. Needs pandas and matplotlib
# (`pip install pandas matplotlib`). A section this build of the core does not report yet
# is skipped with a note.

# %%
import os
from pathlib import Path

import convolens

ROOT = Path(__file__).resolve().parents[1] if "__file__" in globals() else Path.cwd()
DATA = ROOT / "examples" / "data"
OUT = Path(os.environ.get("CONVOLENS_NOTEBOOK_OUT", ROOT / "target" / "notebook"))
OUT.mkdir(parents=True, exist_ok=True)

engine = convolens.Engine.from_config_file(DATA / "config.json")
result = engine.ingest_jsonl(DATA / "example.jsonl")
print(f"{result['lines']} lines, {result['outcome']['ingested']} items ingested, "
      f"{len(result['errors'])} errors")
report = engine.report()
print("sections:", ", ".join(report))
print("range:", report["range"])


def table(path):
    """The report section at `path` as a DataFrame; None when this core lacks it or it
    has no rows."""
    try:
        frame = convolens.to_pandas(report, path)
    except KeyError as missing:
        print(f"(skipped: {missing.args[0]})")
        return None
    return frame if len(frame) else None


# %% [markdown]
# ## What came in

# %%
messages = table("input.messages")
messages

# %% [markdown]
# ## Sources: where conversations come from, what they cost and return

# %%
sources = table("sources")
sources

# %% [markdown]
# ## Daily active users and cost per day

# %%
import matplotlib

if "get_ipython" not in globals() and not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")  # headless when run as a script
import matplotlib.pyplot as plt
import pandas as pd


def plot_daily(frame, x, y, title, ylabel, filename):
    frame = frame.assign(**{x: pd.to_datetime(frame[x])}).sort_values(x)
    fig, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(frame[x], frame[y], marker=".", linewidth=1)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(OUT / filename, dpi=110)
    print("saved", OUT / filename)
    return fig


dau = table("engagement.daily_active")  # rows: date, users
if dau is not None:
    plot_daily(dau, "date", "users", "Daily active users", "users", "daily_active_users.png")

cost = table("billing.cost.by_day")  # rows: key (the day), value (the cost)
if cost is not None:
    currency = engine.config["currency"]
    plot_daily(cost, "key", "value", f"Cost per day ({currency})", currency, "cost_per_day.png")

volume = table("engagement.daily_volume")  # rows: date, sent, received
if volume is None:
    # Until the engagement section is in this build: inbound messages per type instead.
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(messages["key"], messages["value"])
    ax.set_title("Inbound messages by type")
    fig.tight_layout()
    fig.savefig(OUT / "inbound_by_type.png", dpi=110)
    print("saved", OUT / "inbound_by_type.png")
