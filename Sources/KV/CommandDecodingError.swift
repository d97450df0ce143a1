/// Why bytes are not a valid encoded `Command`.
public enum CommandDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes end before the command does.
    case truncated
    /// The first byte is not a known encoding version.
    case badVersion
    /// The operation tag is not put, get, delete, cas or append.
    case badTag
    /// A key or value is not valid UTF-8.
    case badUTF8
    /// Bytes remain after a complete command.
    case trailingBytes

    public var description: String {
        switch self {
        case .truncated: return "command truncated"
        case .badVersion: return "unknown command encoding version"
        case .badTag: return "unknown operation tag"
        case .badUTF8: return "key or value is not valid UTF-8"
        case .trailingBytes: return "trailing bytes after command"
        }
    }
}
