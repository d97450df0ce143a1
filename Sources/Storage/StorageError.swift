/// Why storage could not open a data directory or make a write durable.
///
/// `message` is a complete sentence that names the file (and, for a corrupt log record,
/// the byte offset) so it can be printed as is; `path` and `offset` carry the same
/// facts for programs.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The file or directory concerned.
    public var path: String?
    /// The byte offset in `path` of the bad record, for log corruption.
    public var offset: Int?

    public init(message: String, path: String? = nil, offset: Int? = nil) {
        self.message = message
        self.path = path
        self.offset = offset
    }

    public var description: String {
        var text = message
        if let path, !text.contains(path) { text += " (\(path)" + (offset.map { " at byte offset \($0)" } ?? "") + ")" }
        return text
    }
}
