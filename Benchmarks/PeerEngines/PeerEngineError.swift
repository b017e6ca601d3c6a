/// A peer engine's failure, with the engine's own message.
public struct PeerEngineError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
