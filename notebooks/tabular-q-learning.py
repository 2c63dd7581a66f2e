# %% [markdown]
# # Tabular Q-learning in the maze
#
# In this notebook you train the Q-table of the [Q-function chapter](../../value-learning/q-function/) yourself:
# run `q_learning` on the post's 4x4 maze, watch the table fill in, compare it with the exact answer from value
# iteration, and then change γ, ε and the maze to see what moves. Everything here uses the tested code in
# `snippets/`; each run is seeded, so you get the same numbers as the site.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from rl4rlhf.bellman import value_iteration
from rl4rlhf.gridworld import ACTION_NAMES, MAZE, GridWorld
from rl4rlhf.qtable import QLearningConfig, episodes_to_optimal, greedy_policy, greedy_return, q_learning

config = QLearningConfig()
print(config)

# %% [markdown]
# ## Train
#
# `snapshots` keeps a copy of the table after the listed episodes, so we can look back at how it grew.

# %%
env = GridWorld(MAZE)
run = q_learning(
    env,
    episodes=config.episodes,
    alpha=config.alpha,
    gamma=config.gamma,
    epsilon=config.epsilon,
    seed=config.seed,
    snapshots=range(1, config.episodes + 1),
)
print("return of the first five episodes:", np.round(run.episode_returns[:5], 2).tolist())
print("return of the last five episodes: ", np.round(run.episode_returns[-5:], 2).tolist())
print("greedy policy optimal after episode", episodes_to_optimal(env, run, config.gamma))

# %% [markdown]
# ## The learned table next to the exact one
#
# Value iteration reads the model `env.P` and solves the Bellman equation exactly. Q-learning never sees `P`: it
# only plays. Compare $\max_a Q(s, a)$ from both, cell by cell (walls are shown as `#`).


# %%
def value_grid(q: np.ndarray) -> str:
    rows = []
    for r in range(env.n_rows):
        cells = []
        for c in range(env.n_cols):
            s = env.to_state(r, c)
            cells.append("    #" if s in env.walls else ("    G" if s == env.goal_state else f"{q[s].max():5.2f}"))
        rows.append(" ".join(cells))
    return "\n".join(rows)


exact = value_iteration(env, gamma=config.gamma)
print("learned by Q-learning after", config.episodes, "episodes:")
print(value_grid(run.q))
print("\nexact (value iteration,", exact.sweeps, "sweeps):")
print(value_grid(exact.q))

# %% [markdown]
# The greedy policy is what matters for acting. Both tables send the robot to the goal by a shortest route:

# %%
print("greedy return, learned:", round(greedy_return(env, run.q, config.gamma), 4))
print("greedy return, exact:  ", round(greedy_return(env, exact.q, config.gamma), 4))
arrows = dict(zip(ACTION_NAMES, "↑↓←→", strict=True))
policy = greedy_policy(run.q)
for r in range(env.n_rows):
    line = []
    for c in range(env.n_cols):
        s = env.to_state(r, c)
        line.append("#" if s in env.walls else ("G" if s == env.goal_state else arrows[ACTION_NAMES[policy[s]]]))
    print(" ".join(line))

# %% [markdown]
# ## Try it yourself: change γ and ε
#
# Each run below is one seed. Change the lists and run the cell again. A small γ makes the agent short-sighted; a
# large ε makes it explore more but also act worse while it learns.

# %% alt="Learning curves of the undiscounted episode return over 100 episodes of Q-learning on the maze, for epsilon = 0.05, 0.1 and 0.3: all climb from negative returns in the first episodes to close to the optimal 0.95, and the curve for epsilon = 0.3 stays lower and noisier because the agent keeps exploring"
fig, ax = plt.subplots(figsize=(7, 3.5))
for epsilon in (0.05, 0.1, 0.3):
    curve = q_learning(GridWorld(MAZE), episodes=100, alpha=0.5, gamma=0.99, epsilon=epsilon, seed=0)
    ax.plot(np.arange(1, 101), curve.episode_returns, label=f"ε = {epsilon}")
ax.axhline(0.95, color="gray", ls="--", lw=1, label="optimal return (γ = 1)")
ax.set_xlabel("episode")
ax.set_ylabel("return of the episode")
ax.set_ylim(-3, 1.1)
ax.legend()
plt.show()

# %% [markdown]
# ## Try it yourself: another maze
#
# `GridWorld` takes any layout: `S` start, `G` goal, `#` wall, `.` free. Edit the strings below.

# %%
layout = (
    "S....#..",
    ".##..#..",
    "...#....",
    "#.....#G",
)
big = GridWorld(layout)
big_run = q_learning(big, episodes=300, alpha=0.5, gamma=0.99, epsilon=0.1, seed=0, snapshots=range(1, 301))
print("optimal after episode", episodes_to_optimal(big, big_run, 0.99))
print("greedy return:", round(greedy_return(big, big_run.q, 0.99), 4))
