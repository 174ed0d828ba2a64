# %% [markdown]
# # convolens in a notebook
#
# Loads the bundled example data (`examples/data/example.jsonl`: 400 users over
# June–July 2025, with the example config and its rate card) into a `convolens.Engine`,
# shows report sections as pandas DataFrames, and plots daily active users and cost per
# day with matplotlib, saving the figures as PNG files in `target/notebook/` (or in
# `$CONVOLENS_NOTEBOOK_OUT`).
#
# Run it as a script (`python examples/notebook.py` with the package installed, e.g.
# `target/py-venv/bin/python` after `bash bindings-python/test.sh`), or open it in
# Jupyter / VS Code, which read the `# %%` cells. Needs pandas and matplotlib
# (`pip install pandas matplotlib`).

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
print("tables:", ", ".join(convolens.tables(report)))

# %% [markdown]
# ## What came in

# %%
convolens.to_pandas(report, "input.messages")

# %% [markdown]
# ## Sources: where conversations come from, what they cost and return

# %%
sources = convolens.to_pandas(report, "sources")
sources[["key", "name", "conversations", "leads", "conversion_rate", "invested", "revenue",
         "roas"]]

# %% [markdown]
# ## Billing: what Meta charges, by category and by month

# %%
billing = report["billing"]
print(f"pricing model: {billing['model']}; total cost "
      f"{billing['cost']['total']:.2f} {billing['cost']['currency']}")
convolens.to_pandas(report, "billing.cost.by_category")

# %%
convolens.to_pandas(report, "usage.months")[["month", "partial", "sent", "delivered",
                                             "billable", "quota_used"]]

# %% [markdown]
# ## Daily active users and cost per day

# %%
import matplotlib

if "get_ipython" not in globals() and not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")  # headless when run as a script
import matplotlib.pyplot as plt


def plot_daily(frame, x, y, title, ylabel, filename, kind="line"):
    frame = frame.sort_values(x)  # the date columns are datetime64 already
    fig, ax = plt.subplots(figsize=(9, 3.5))
    if kind == "bar":
        ax.bar(frame[x], frame[y], width=0.8)
    else:
        ax.plot(frame[x], frame[y], marker=".", linewidth=1)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(OUT / filename, dpi=100)
    print("saved", OUT / filename)
    return fig


dau = engine.to_pandas("engagement.daily_active")  # rows: date, users
plot_daily(dau, "date", "users", "Daily active users", "users", "daily_active_users.png")

cost = engine.to_pandas("billing.cost.by_day")  # rows: date, cost
currency = report["billing"]["cost"]["currency"]
plot_daily(cost, "date", "cost", f"Cost per day ({currency})", currency, "cost_per_day.png",
           kind="bar")

# %% [markdown]
# ## When users write: messages received by weekday and hour

# %%
heat = engine.to_pandas("engagement.heatmap").set_index("row")
fig, ax = plt.subplots(figsize=(9, 3))
ax.imshow(heat.to_numpy(), aspect="auto", cmap="Blues")
ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
ax.set_xlabel(f"hour ({report['range']['time_zone']})")
ax.set_title("Messages received")
fig.tight_layout()
fig.savefig(OUT / "heatmap.png", dpi=100)
print("saved", OUT / "heatmap.png")
