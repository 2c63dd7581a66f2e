# %% [markdown]
# # Returns in the maze
#
# In this notebook you walk the robot through the post's 4x4 maze yourself: you create the
# environment, follow the shortest path to the goal step by step, compute the return from every
# step with `returns_to_go` (for γ = 1 and γ = 0.9), compare it with the returns of a random
# policy, and then change the discount factor and the maze to see how the returns move.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from rl4rlhf.envs import play_episode
from rl4rlhf.gridworld import (
    ACTION_NAMES,
    MAZE,
    GridWorld,
    random_policy,
    shortest_path_actions,
)
from rl4rlhf.returns import discounted_return, returns_to_go

# %% [markdown]
# ## The maze
#
# `GridWorld` is the post's maze as an environment. The layout is a list of strings:
# `S` is the start, `G` the goal, `#` a wall and `.` a free cell. In `"ansi"` render mode,
# `render()` returns the grid as text with the agent drawn as `A`.

# %%
env = GridWorld(MAZE, render_mode="ansi")
state, info = env.reset(seed=0)
print(env.render())
print()
print("grid:", env.n_rows, "x", env.n_cols)
print("start state:", env.start_state, "at (row, col)", env.to_rowcol(env.start_state))
print("goal state: ", env.goal_state, "at (row, col)", env.to_rowcol(env.goal_state))
print("walls at:   ", sorted(env.to_rowcol(s) for s in env.walls))

# %% [markdown]
# ## Walking the shortest path
#
# `shortest_path_actions(env)` gives the moves of a shortest walk from S to G. Take them one at a
# time with `env.step` and print what the environment hands back: the new state and the reward.

# %%
path = shortest_path_actions(env)
print("shortest path:", " ".join(ACTION_NAMES[a] for a in path))
print()

state, info = env.reset(seed=0)
rewards = []
for t, action in enumerate(path):
    next_state, reward, terminated, truncated, info = env.step(action)
    rewards.append(reward)
    print(
        f"t={t}: {env.to_rowcol(state)} --{ACTION_NAMES[action]:>5}--> {env.to_rowcol(next_state)}"
        f"   reward {reward:+.2f}   terminated={terminated}"
    )
    state = next_state

print()
print(env.render())

# %% [markdown]
# ## The return from every step
#
# `returns_to_go` computes `G_t` for every step `t` of the episode. With γ = 1 every step before the
# goal costs 0.01; with γ = 0.9 the goal's +1 also fades the further away it is.

# %%
G_1 = returns_to_go(rewards, gamma=1.0)
G_09 = returns_to_go(rewards, gamma=0.9)

print(" t   reward   G_t (γ=1)   G_t (γ=0.9)")
for t, (r, g1, g09) in enumerate(zip(rewards, G_1, G_09, strict=True)):
    print(f"{t:2d}   {r:+.2f}    {g1:8.4f}    {g09:8.4f}")

optimal_return = discounted_return(rewards, gamma=1.0)
print()
print(f"return of the optimal episode (γ = 1): {optimal_return:.2f}")

# %% [markdown]
# ## A random policy, for comparison
#
# `play_episode` plays one episode with a policy and returns its observations, actions and rewards, the state it
# stopped in, and whether it really ended (`terminated`) or ran out of time.
# `random_policy` ignores the state and picks one of the four moves uniformly. Seeds drawn from an
# explicit `np.random.default_rng(0)` make the episodes reproducible. A random walk bumps into
# walls (−1 each) and may run out of its 100 moves before it finds the goal.

# %%
rng = np.random.default_rng(0)
seeds = rng.integers(0, 10_000, size=5)

random_env = GridWorld(MAZE)
print(f"optimal episode: {len(rewards):3d} moves, return {optimal_return:+.2f}")
for seed in seeds:
    episode = play_episode(random_env, random_policy, np.random.default_rng(int(seed)), seed=int(seed))
    reached = episode.terminated  # the goal is the only way an episode of the maze ends
    walls_hit = sum(r == random_env.wall_reward for r in episode.rewards)
    print(
        f"random, seed {int(seed):4d}: {len(episode.rewards):3d} moves, "
        f"return {discounted_return(episode.rewards):+.2f}, "
        f"walls hit {walls_hit:2d}, reached goal: {reached}"
    )

# %% [markdown]
# ## Try it yourself: change γ
#
# Change `gamma` below and run the cell again. How far does `G_0`, the return from the start,
# fall as γ gets smaller?

# %%
gamma = 0.5
G = returns_to_go(rewards, gamma=gamma)
print(f"γ = {gamma}: G_t along the path =", np.round(G, 4).tolist())
print(f"return from the start, G_0 = {G[0]:.4f}")

# %% [markdown]
# ## Try it yourself: a different maze
#
# Any list of equal-length strings with one `S` and one `G` is a maze. Here is a 3x5 one
# where the goal is only two rows below the start, but the walls force a detour; edit it (add or
# remove walls with `#`) and see how the path and its returns change.

# %%
layout = (
    "S....",
    "###.#",
    "G....",
)
small_env = GridWorld(layout, render_mode="ansi")
small_env.reset(seed=0)
print(small_env.render())

small_path = shortest_path_actions(small_env)
small_rewards = []
small_env.reset(seed=0)
for action in small_path:
    _, reward, terminated, truncated, _ = small_env.step(action)
    small_rewards.append(reward)

print()
print("shortest path:", " ".join(ACTION_NAMES[a] for a in small_path))
print("G_t (γ = 1):  ", np.round(returns_to_go(small_rewards, 1.0), 4).tolist())
print("G_t (γ = 0.9):", np.round(returns_to_go(small_rewards, 0.9), 4).tolist())

# %% [markdown]
# ## Try it yourself: plot G_t along the path
#
# The plot shows the return from each step of the maze's shortest path for a few values of γ.
# Add your own γ to the list.

# %% alt="Line chart of the return G_t at each step of the maze's shortest path, for gamma = 1, 0.99, 0.9 and 0.5: every curve ends at 1.0 on the last step, and the smaller gamma is, the lower the curve starts"
fig, ax = plt.subplots(figsize=(7, 3.5))
steps = np.arange(len(rewards))
for gamma in (1.0, 0.99, 0.9, 0.5):
    ax.plot(steps, returns_to_go(rewards, gamma=gamma), marker="o", label=f"γ = {gamma}")
ax.set_xticks(steps)
ax.set_xlabel("step t along the shortest path")
ax.set_ylabel("return $G_t$")
ax.set_title("Return from each step of the shortest path")
ax.legend()
plt.show()
