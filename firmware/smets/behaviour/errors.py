"""The one error type of the behaviour layer."""


class BehaviourError(ValueError):
    """A value or request the behaviour refuses (out of range, wrong meter kind, bad combination).

    The use-case layer turns it into the GBCS failure response; state is unchanged when it is raised.
    """

    def __init__(self, msg):
        super().__init__(msg)
