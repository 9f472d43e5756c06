"""The persisted state on the host: the plain data pickles as well as it goes to JSON (the fleet's
checkpoint), and a state written by a premises on the pure-Python provider (a board) carries on
byte for byte in a premises on the host provider (the fleet), and the other way round.
"""

import pickle

from test_persist import Drive, carry_on, observable

from smets import persist
from smets_fleet.crypto_host import HostCrypto


def _compare(a, b):
    assert len(a) == len(b)
    for (ka, va), (kb, vb) in zip(a, b):
        assert ka == kb and va == vb, ka


def test_pickled_state_restores_like_the_json_one():
    d = Drive()
    state = persist.dump(d.premises)
    blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    from_pickle = persist.load_premises(d.cfg, pickle.loads(blob), HostCrypto())
    from_json = persist.load_premises(d.cfg, persist.from_json(persist.to_json(state)), HostCrypto())
    view = observable(d.premises)
    _compare(observable(from_pickle), view)
    _compare(observable(from_json), view)
    assert persist.to_json(persist.dump(from_pickle)) == persist.to_json(state)


def test_board_state_carries_on_the_same_on_the_host_provider():
    d = Drive()  # PureCrypto, as on a board
    host = persist.load_premises(d.cfg, pickle.loads(pickle.dumps(persist.dump(d.premises))), HostCrypto())
    a = carry_on(d.premises, d)
    b = carry_on(host, d)
    assert sum(len(s) for s in a) > 10
    for i in range(len(a)):
        assert a[i] == b[i], "step %d differs" % i
