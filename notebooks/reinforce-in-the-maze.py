# %% [markdown]
# # REINFORCE in the maze
#
# In this notebook you train the policy of the [policy-gradient chapter](../../policy-learning/policy-gradient/)
# on the post's maze and watch its action probabilities move: at first every direction is about equally likely,
# and episode by episode the actions that led to the goal take over. Everything uses the tested code in
# `snippets/reinforce.py`, seeded, so you get the same numbers as the site.

# %%
# %matplotlib inline
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import torch
from rl4rlhf.envs import make_env
from rl4rlhf.gridworld import ACTION_NAMES, MAZE, GridWorld
from rl4rlhf.reinforce import MAZE_CONFIG, train

print(MAZE_CONFIG)

# %% [markdown]
# ## The policy at the start cell, as training goes on
#
# We train once, for the 800 episodes of `MAZE_CONFIG`. `train` calls `on_update(policy)` after each update, one
# per `MAZE_CONFIG.batch_episodes` = 8 episodes; there we read $\pi(a \mid s)$ at the start cell once 8, 80, 240
# and 800 episodes have been played. `train` with the same seed replays the same episodes, so the policy we read
# after 80 episodes is exactly the policy a run of 80 episodes ends with.

# %%
env = make_env(MAZE_CONFIG.env_id)
start_obs, _ = env.reset(seed=0)
start = torch.as_tensor(start_obs)[None]  # (1, 16): the start cell, one-hot
budgets = (8, 80, 240, 800)
probabilities = {}
played = 0  # episodes played so far


def after_update(policy):
    global played
    played += MAZE_CONFIG.batch_episodes
    if played in budgets:
        with torch.no_grad():
            probabilities[played] = policy(start).probs[0].numpy()  # (4,): up, down, left, right


final = train(replace(MAZE_CONFIG, seed=0), on_update=after_update)
for episodes in budgets:
    shown = {a: round(float(p), 3) for a, p in zip(ACTION_NAMES, probabilities[episodes], strict=True)}
    print(f"after {episodes:4d} episodes:", shown)

# %% alt="Grouped bar chart of the policy's probabilities of up, down, left and right at the maze's start cell after 8, 80, 240 and 800 training episodes: nearly uniform after 8 episodes, then concentrating on the moves of a shortest path"
fig, ax = plt.subplots(figsize=(7, 3.5))
width = 0.2
x = np.arange(len(ACTION_NAMES))
for i, episodes in enumerate(budgets):
    ax.bar(x + (i - 1.5) * width, probabilities[episodes], width, label=f"after {episodes} episodes")
ax.set_xticks(x, ACTION_NAMES)
ax.set_ylabel("π(a | start cell)")
ax.set_ylim(0, 1)
ax.legend()
plt.show()

# %% [markdown]
# ## What the trained policy does
#
# Follow the most likely action from every cell. A policy gradient agent normally *samples*; taking the most likely
# action shows what it has learned.

# %%
grid = GridWorld(MAZE)
arrows = dict(zip(ACTION_NAMES, "↑↓←→", strict=True))
for r in range(grid.n_rows):
    line = []
    for c in range(grid.n_cols):
        s = grid.to_state(r, c)
        if s in grid.walls or s == grid.goal_state:
            line.append("#" if s in grid.walls else "G")
            continue
        with torch.no_grad():
            probs = final.policy(torch.eye(grid.n_rows * grid.n_cols)[s][None]).probs[0]
        line.append(arrows[ACTION_NAMES[int(probs.argmax())]])
    print(" ".join(line))
print("mean return of the last 50 training episodes:", round(float(np.mean(final.episode_returns[-50:])), 3))

# %% [markdown]
# ## Try it yourself
#
# Change the learning rate, the discount or the number of episodes per update in `MAZE_CONFIG` with
# `replace(MAZE_CONFIG, learning_rate=..., gamma=..., batch_episodes=...)` and run the cells again. With
# `baseline="none", bootstrap_truncated=False` (plain REINFORCE has no value to bootstrap from at the
# time limit) the updates are noisier: compare the returns. With `weight_by_gamma_t=True` each step is
# weighted by γ^t as in the exact gradient: the policy-gradient page measures what that changes.
