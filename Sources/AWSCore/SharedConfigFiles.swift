import Foundation

/// The AWS shared files, `~/.aws/credentials` and `~/.aws/config`, parsed into profiles.
///
/// Follows the SDKs' file format: `[name]` sections in the credentials file, `[profile name]` sections (and
/// `[default]`) in the config file, where `[profile default]` wins over `[default]` when both exist; `#` and `;` start
/// comment lines, and also inline comments when preceded by whitespace; keys are case-insensitive; indented lines
/// under a key with an empty value are its sub-properties (`s3 =` / `  addressing_style = path`), kept as
/// `s3.addressing_style`. A missing file is an empty file. Properties of a profile present in both files are merged,
/// the credentials file winning.
public struct SharedConfigFiles: Sendable, Equatable {
    /// The credentials file path that was read (or would have been, if missing).
    public let credentialsPath: String
    /// The config file path that was read (or would have been, if missing).
    public let configPath: String
    /// Profiles of the credentials file, by profile name; property names lower-cased.
    public let credentialsProfiles: [String: [String: String]]
    /// Profiles of the config file, by profile name (without the `profile ` prefix); property names lower-cased.
    public let configProfiles: [String: [String: String]]

    /// Reads both files at the given paths; a missing file counts as empty, an unreadable or malformed one throws.
    public init(credentialsPath: String, configPath: String) throws {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
        credentialsProfiles = try Self.parse(Self.read(credentialsPath), path: credentialsPath)
            .reduce(into: [:]) { profiles, section in
                profiles[section.name, default: [:]].merge(section.properties) { $1 }
            }
        configProfiles = Self.configProfiles(try Self.parse(Self.read(configPath), path: configPath))
    }

    /// Reads the files named by `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` in `environment`, by default
    /// `~/.aws/credentials` and `~/.aws/config` under the environment's `HOME`.
    public static func load(environment: [String: String]) throws -> SharedConfigFiles {
        try SharedConfigFiles(
            credentialsPath: path(
                environment["AWS_SHARED_CREDENTIALS_FILE"], default: "~/.aws/credentials", environment),
            configPath: path(environment["AWS_CONFIG_FILE"], default: "~/.aws/config", environment))
    }

    /// The profile selected by `AWS_PROFILE`, or `default`; `explicit` is true when the variable chose it.
    public static func selectedProfile(environment: [String: String]) -> (name: String, explicit: Bool) {
        if let name = environment["AWS_PROFILE"], !name.isEmpty { return (name, true) }
        return ("default", false)
    }

    /// The merged properties of profile `name` (credentials file winning), or nil when neither file has it.
    public func profile(_ name: String) -> [String: String]? {
        let fromConfig = configProfiles[name]
        let fromCredentials = credentialsProfiles[name]
        if fromConfig == nil && fromCredentials == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { $1 }
    }

    /// The `region` of profile `name`, for the region resolver.
    public func region(profile name: String) -> String? {
        profile(name)?["region"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// One `[section]` of an INI file, with its properties in file order merged by key.
    struct Section: Equatable {
        var name: String
        var properties: [String: String]
    }

    /// Parses INI `text` into sections in file order; errors name `path` and the line number, never the line's text
    /// (which may hold a secret).
    static func parse(_ text: String, path: String) throws -> [Section] {
        var sections: [Section] = []
        var parentKey: String?
        // `\r\n` is one Character in Swift, and a newline: CRLF files split like LF ones.
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let lineNumber = index + 1
            if trimmed.hasPrefix("[") {
                let header = stripInlineComment(trimmed)
                guard header.hasSuffix("]"), header.count > 2 else {
                    throw malformed(path, lineNumber, "a section header must look like [name]")
                }
                let name = header.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { throw malformed(path, lineNumber, "the section name is empty") }
                sections.append(Section(name: name, properties: [:]))
                parentKey = nil
                continue
            }
            guard !sections.isEmpty else {
                throw malformed(path, lineNumber, "a property appears before any [section] header")
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw malformed(path, lineNumber, "expected `name = value`")
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let rawValue = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            let value = stripInlineComment(rawValue)
            guard !key.isEmpty else { throw malformed(path, lineNumber, "the property name is empty") }
            let isIndented = line.first == " " || line.first == "\t"
            if isIndented, let parentKey {
                sections[sections.count - 1].properties["\(parentKey).\(key)"] = value
            } else {
                sections[sections.count - 1].properties[key] = value
                parentKey = value.isEmpty ? key : nil
            }
        }
        return sections
    }

    /// Turns config-file sections into profiles: `[profile x]` is profile x, `[default]` is profile default unless
    /// `[profile default]` exists (the SDKs ignore `[default]` then); other sections (`[sso-session x]`,
    /// `[services x]`, `[x]`) are not profiles.
    static func configProfiles(_ sections: [Section]) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var bareDefault: [String: String]?
        for section in sections {
            let words = section.name.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count == 2, words[0] == "profile" {
                profiles[String(words[1]), default: [:]].merge(section.properties) { $1 }
            } else if section.name == "default" {
                bareDefault = (bareDefault ?? [:]).merging(section.properties) { $1 }
            }
        }
        if profiles["default"] == nil, let bareDefault { profiles["default"] = bareDefault }
        return profiles
    }

    /// Removes a trailing comment: `#` or `;` preceded by whitespace (secret keys contain neither).
    private static func stripInlineComment(_ text: String) -> String {
        var previous: Character = " "
        for index in text.indices {
            let character = text[index]
            if (character == "#" || character == ";") && (previous == " " || previous == "\t")
                && index != text.startIndex
            {
                return text[..<index].trimmingCharacters(in: .whitespaces)
            }
            previous = character
        }
        return text
    }

    private static func malformed(_ path: String, _ line: Int, _ reason: String) -> CredentialError {
        CredentialError(
            .invalidConfiguration,
            "The AWS shared file \(path) is malformed at line \(line): \(reason). Fix that line.")
    }

    /// The file's text, or "" when it does not exist.
    private static func read(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "" }
        // A file handle also reads character devices such as /dev/null, the usual "no file" setting.
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            throw CredentialError(
                .invalidConfiguration,
                "The AWS shared file \(path) exists but cannot be read. Check its permissions for this user.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CredentialError(
                .invalidConfiguration, "The AWS shared file \(path) is not valid UTF-8 text. Rewrite it as UTF-8.")
        }
        return text
    }

    /// `value` (or `fallback` when unset or empty) with a leading `~` expanded to the environment's home directory.
    static func path(_ value: String?, default fallback: String, _ environment: [String: String]) -> String {
        let raw = value.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        guard raw == "~" || raw.hasPrefix("~/") else { return raw }
        let home =
            environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + raw.dropFirst()
    }
}
