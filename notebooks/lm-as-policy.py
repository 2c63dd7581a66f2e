# %% [markdown]
# # A tiny language model as a policy
#
# In this notebook you run the [language-model chapter](../../language-models/) yourself: pretrain a tiny
# word-level GPT, read its next-token distribution as a policy $\pi(a \mid s)$, write one response as one episode of
# a Gymnasium environment, and then improve the model with [REINFORCE](../../policy-learning/policy-gradient/)
# against a stand-in reward model. Along the way you watch the responses change, and see what the policy gives up
# to score well. Everything uses the tested code in `snippets/lm_model.py` (the model, pretraining and sampling) and
# `snippets/lm_rl.py` (the reward, the environment and REINFORCE), and every run is seeded, so running the notebook
# again gives the same numbers.
#
# | RL | Here |
# |:---|:---|
# | state $s_t$ | the prompt plus the tokens written so far |
# | action $a_t$ | the next token |
# | policy $\pi(a \mid s)$ | the model's next-token distribution |
# | episode | one response, which ends at the token "." |
# | reward | one score for the whole response, at its end |

# %%
# %matplotlib inline
import copy
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch
from rl4rlhf.envs import play_episode
from rl4rlhf.lm_model import (
    LMConfig,
    encode_prompt,
    generate,
    load_corpus,
    next_token_distribution,
    pretrain,
    response_texts,
)
from rl4rlhf.lm_rl import (
    MAX_REWARD,
    ResponseEnv,
    RLConfig,
    TokenPolicy,
    mean_reward,
    reward_model,
    rl_step,
    token_weights,
    train,
)

torch.set_num_threads(1)  # a small network: one thread is fast enough, and the runs stay reproducible


def sample(model, prompt, n, temperature=1.0, seed=0, max_new_tokens=12):
    """``n`` responses to ``prompt`` as text, drawn with their own seeded generator."""
    generator = torch.Generator().manual_seed(seed)
    responses = generate(model, encode_prompt(vocab, prompt), n, max_new_tokens, temperature, generator)
    return response_texts(vocab, responses)


# %% [markdown]
# ## Pretraining: a model that continues text
#
# `pretrain` teaches a fresh `TinyLM` to predict the next word of the sentences in `snippets/lm_corpus.txt`
# (`LMConfig().steps` Adam steps, a few seconds on one CPU core). Every sentence ends with "." as its own token.

# %%
sentences = load_corpus()
print(len(sentences), "sentences, for example:")
for sentence in sentences[:4]:
    print("  ", sentence)

model, vocab = pretrain(LMConfig(seed=0))
print("parameters:", sum(p.numel() for p in model.parameters()))
print("vocabulary:", len(vocab), "tokens, from", vocab.tokens[:6], "to", vocab.tokens[-3:])

# %% [markdown]
# ## The policy: one distribution over the next token
#
# The state is the prompt (with "." in front, since a sentence starts there). The model's output after it is a
# probability for every token of the vocabulary: that distribution *is* the policy. Asked for "the cat sat on the",
# the pretrained model mostly says what the corpus says most often.

# %%
prompt = "the cat sat on the"
before = next_token_distribution(model, vocab, prompt)
top = list(before.items())[:8]
for token, p in top:
    print(f"{token:>6}  {p:.3f}")
print("probability of the other", len(before) - len(top), "tokens:", round(1 - sum(p for _, p in top), 3))

# %% alt="Bar chart of the pretrained model's eight most likely next tokens after 'the cat sat on the': 'mat' takes about half of the probability, and the others, such as 'cold', 'roof', 'soft' and 'floor', a few percent to about a tenth each"
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar([token for token, _ in top], [p for _, p in top], color="tab:blue")
ax.set_ylabel("π(a | s)")
ax.set_title(f"next token after '{prompt}'")
ax.set_ylim(0, 1)
plt.show()

# %% [markdown]
# ## Temperature
#
# Writing a response means sampling from this policy one token at a time. Temperature reshapes the distribution
# first: at temperature 0 the model always takes its most likely token, so every response to a prompt is the same,
# whatever the random seed. At 0.7 it samples, and the responses vary. Each response below has its own
# `torch.Generator().manual_seed(i)`.

# %%
for temperature in (0.0, 0.7):
    print(f"temperature {temperature}:")
    for i in range(5):
        (text,) = sample(model, "the sea", n=1, temperature=temperature, seed=i)
        print(f"  seed {i}: the sea {text}")

# %% [markdown]
# ## One response is one episode
#
# `ResponseEnv` is the same loop as a Gymnasium environment: the observation is the token ids so far, an action is
# one token, and the episode ends at ".". `TokenPolicy(model)` is the model as a policy: given the token ids so far
# and a random number generator, it samples the next token. `play_episode`, the loop every agent on the site uses,
# plays one episode with it. Print every step: the reward is 0 after every token but the last, and only the
# finished response is scored.

# %%
env = ResponseEnv(vocab, RLConfig(prompts=("the cat",)))
episode = play_episode(env, TokenPolicy(model), torch.Generator().manual_seed(3), seed=0)
actions, rewards = episode.actions, episode.rewards
print(f"{'t':>2}  {'state s_t':<40}  {'action a_t':<10}  reward r_t+1")
for t, (state, action, reward) in enumerate(zip(episode.observations, actions, rewards, strict=True)):
    print(f"{t:>2}  {vocab.decode(state):<40}  {vocab.tokens[action]:<10}  {reward}")
response = vocab.decode(actions)
print(f"\nresponse: {response!r}, score {reward_model(response)}")

# %% [markdown]
# With $\gamma = 1$, the return from every step of this episode is that one final score, so REINFORCE gives every
# token of the response the same weight (`baseline="none"` here; the training below subtracts the prompt's mean
# score). Whether a token helped or hurt, it is credited with the whole response's score:

# %%
weights, _ = token_weights([rewards[-1]], [len(actions)], baseline="none")
print([(vocab.tokens[a], float(w)) for a, w in zip(actions, weights, strict=True)])

# %% [markdown]
# ## Nudging the policy with REINFORCE
#
# The stand-in reward model is a word list: a finished response scores
# $0.5 + 0.5\,(\text{kind} - \text{unkind}) / (\text{kind} + \text{unkind})$, counting its words from each list
# (0.5 with neither, 0 if unfinished), so 1.0 is the most any response can score.

# %%
for text in (
    "the cat sat on the warm mat and purred .",
    "the cat sat on the cold floor and purred .",
    "the dog growled",
):
    print(f"{reward_model(text):.2f}  {text}")

# %% [markdown]
# `train(model, vocab, cfg)` improves a copy of the pretrained model: each of its `cfg.updates` updates writes
# `cfg.responses_per_prompt` responses to each of `cfg.prompts` at temperature 1, scores them, and takes one Adam
# step on the REINFORCE loss.
#
# ## Watching the responses change
#
# To look inside the run, do by hand exactly what `train` does (a copy of the model, one generator seeded with
# `cfg.seed`, one Adam optimizer, then `rl_step` `cfg.updates` times), stopping after some updates to sample
# responses to "the cat". The samples use their own generator, with the same seed at every stop, so the training
# draws are untouched and each stop sees the same random numbers. Because the calls are the same, this run ends
# with exactly the weights `train(model, vocab, cfg)` returns (`tests/test_lm_rl.py` checks that).

# %%
cfg = RLConfig(seed=0)
print(cfg)
policy = copy.deepcopy(model).train()
generator = torch.Generator().manual_seed(cfg.seed)
optimizer = torch.optim.Adam(policy.parameters(), lr=cfg.learning_rate)


def show(after):
    texts = sample(policy, "the cat", n=4, seed=7)
    print(f"after {after} updates:")
    for text in texts:
        print(f"  {reward_model(text):.2f}  the cat {text}")


show(0)
mean_rewards = []
for update in range(1, cfg.updates + 1):
    mean_rewards.append(float(np.mean(rl_step(policy, optimizer, vocab, cfg, generator))))
    if update in (10, 30, cfg.updates):
        show(update)
rl_model = policy.eval()

# %%
for name, m in (("pretrained", model), ("after REINFORCE", rl_model)):
    score = mean_reward(m, vocab, cfg.prompts, n=256, max_new_tokens=cfg.max_new_tokens, seed=123)
    print(f"mean reward of 256 fresh responses per prompt, {name}: {score:.3f}")

# %% alt="Line plot of the mean reward of the responses sampled at each REINFORCE update: it starts near 0.5, climbs early in training to about 1.0, the highest reward possible (a dashed line), and stays there"
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(np.arange(1, cfg.updates + 1), mean_rewards, color="tab:blue")
ax.axhline(MAX_REWARD, color="gray", linestyle="--", linewidth=1, label="highest possible reward")
ax.set_xlabel("update")
ax.set_ylabel("mean reward of its responses")
ax.set_ylim(0, 1.05)
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Before and after, prompt by prompt
#
# Three responses to each training prompt from each model, with the same seed for both.

# %%
print(f"{'prompt':<20} {'model':<11} {'reward':>6}  response")
for prompt_text in cfg.prompts:
    for name, m in (("pretrained", model), ("REINFORCE", rl_model)):
        for text in sample(m, prompt_text, n=3, seed=1):
            print(f"{prompt_text:<20} {name:<11} {reward_model(text):>6.2f}  {text}")
    print()

# %% [markdown]
# The policy itself has moved. Compare its next-token distribution after "the cat sat on the" with the pretrained
# one: the eight tokens the pretrained model liked most, plus the three the trained model likes most.

# %%
after = next_token_distribution(rl_model, vocab, prompt)
tokens = list(dict.fromkeys([*list(before)[:8], *list(after)[:3]]))
for token in tokens:
    print(f"{token:>6}  pretrained {before[token]:.3f}   after REINFORCE {after[token]:.3f}")

# %% alt="Grouped bar chart of the next-token probabilities after 'the cat sat on the', pretrained versus after REINFORCE: the pretrained model spreads its probability with 'mat' the largest at about a half; after REINFORCE nearly all of it sits on one word from the reward model's kind list and 'mat' is near zero"
fig, ax = plt.subplots(figsize=(8, 3.5))
x = np.arange(len(tokens))
ax.bar(x - 0.2, [before[t] for t in tokens], 0.4, label="pretrained", color="tab:blue")
ax.bar(x + 0.2, [after[t] for t in tokens], 0.4, label="after REINFORCE", color="tab:orange")
ax.set_xticks(x, tokens)
ax.set_ylabel("π(a | s)")
ax.set_title(f"next token after '{prompt}'")
ax.set_ylim(0, 1)
ax.legend()
plt.show()

# %% [markdown]
# ## What the policy gave up
#
# A higher score is not the whole story. Count how many *different* responses to "the cat" each model writes in
# 200 samples (temperature 1, the same seed for both):

# %%
for name, m in (("pretrained", model), ("after REINFORCE", rl_model)):
    counts = Counter(sample(m, "the cat", n=200, seed=2024))
    print(f"{name}: {len(counts)} distinct responses out of 200; the most common:")
    for text, count in counts.most_common(3):
        print(f"  {count:3d} x  {reward_model(text):.2f}  the cat {text}")

# %% [markdown]
# The variety is mostly gone. The stand-in reward model only counts kind and unkind words: any finished sentence
# with one kind word and no unkind one scores the maximum, and nothing in the objective asks for variety, fluency
# or truth. So REINFORCE narrows the policy onto a few high-scoring sentences, a small case of *mode collapse*. The
# PPO setup used for RLHF adds a penalty on the KL divergence from the pretrained (SFT) model to the reward, which
# limits how far the policy can drift from it.
#
# ## Try it yourself
#
# - **Change the reward.** `train`, `rl_step` and `mean_reward` take the scoring function as `reward_fn`; the cell
#   below passes one that rewards responses that mention a garden. Then try one that prefers mentions of the sea: the corpus only ever has "the
#   sea" at the start of a sentence, so the responses almost never mention it, every score is 0, and with the mean
#   baseline every weight is 0. A reward the policy never reaches teaches it nothing.
# - **Change the learning rate** with `RLConfig(learning_rate=...)`: try `1e-4` and `1e-3`, and compare the reward
#   curves and the number of distinct responses.
# - **Drop the baseline** with `RLConfig(baseline="none")`: the weights are then the raw scores, never negative, so
#   a low-scoring response is no longer pushed down, only pushed up less than the others (or not at all, at 0).
#   Compare the reward curve and the number of distinct responses with the ones above.


# %%
def prefers_garden(response: str) -> float:
    """1 for a finished response that mentions a garden, else 0."""
    words = response.split()
    return 1.0 if words and words[-1] == "." and "garden" in words else 0.0


garden_cfg = RLConfig(seed=0, prompts=("the cat",), updates=40)
garden = train(model, vocab, garden_cfg, reward_fn=prefers_garden)
print(
    "mean reward of the first and last five updates:",
    np.round(garden.mean_rewards[:5], 2).tolist(),
    np.round(garden.mean_rewards[-5:], 2).tolist(),
)
print("garden score, kind-words score, response:")
for text in sample(garden.model, "the cat", n=5, seed=0):
    print(f"  {prefers_garden(text):.0f}  {reward_model(text):.2f}  the cat {text}")
