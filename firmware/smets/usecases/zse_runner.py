"""What a held GSME tariff or friendly credit calendar item runs when it falls due
(usecases.zse_tariff), in a module of its own: smets.persist names it in its RUNNERS table, and a
board without a GSME then does not load the tariff translation with persist."""


def run_activation(dev, at, cluster, command_id, kind, fields, parts):
    from smets.usecases import zse_tariff

    return zse_tariff.run_activation(dev, at, cluster, command_id, kind, fields, parts)
