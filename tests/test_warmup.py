import torch

from cakegan import partial_gradient_warmup


def test_loss_falls_and_only_the_first_layer_moves():
    torch.manual_seed(1)
    losses, model = partial_gradient_warmup(seed=0)
    assert losses[-1] < 0.2 * losses[0]
    assert all(b <= a for a, b in zip(losses, losses[1:]))
    # rebuild the same initial model to compare the second layer bit for bit
    torch.manual_seed(0)
    fresh = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 2))
    for p, q in zip(model[1].parameters(), fresh[1].parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(model[0].weight, fresh[0].weight)
