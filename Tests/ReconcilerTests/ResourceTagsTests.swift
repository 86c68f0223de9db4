import Testing

@testable import Reconciler

@Suite("Observed tags, sorted by key")
struct ResourceTagsTests {
    @Test("tags are found by key whatever order they came in; equal tags are equal however they were built")
    func lookupAndEquality() {
        let tags = ResourceTags(["b": "2", "aurorad:spec": "orders", "a": "1", "Environment": "dev"])
        #expect(
            tags["a"] == "1" && tags["b"] == "2" && tags["aurorad:spec"] == "orders" && tags["Environment"] == "dev")
        #expect(tags["c"] == nil && tags[""] == nil && tags["A"] == nil)
        #expect(tags == ["Environment": "dev", "a": "1", "aurorad:spec": "orders", "b": "2"])
        #expect(tags.dictionary == ["b": "2", "aurorad:spec": "orders", "a": "1", "Environment": "dev"])
        #expect(ResourceTags([:]).isEmpty && !tags.isEmpty)
    }

    @Test("setting adds, replaces and removes tags, keeping them found")
    func setAndRemove() {
        var tags: ResourceTags = ["m": "1"]
        tags["z"] = "26"
        tags["a"] = "0"
        tags["m"] = "13"
        #expect(tags == ["a": "0", "m": "13", "z": "26"])
        tags["m"] = nil
        tags["q"] = nil
        #expect(tags.removeValue(forKey: "a") == "0")
        #expect(tags.removeValue(forKey: "a") == nil)
        #expect(tags == ["z": "26"] && tags["z"] == "26")
    }

    @Test("merging adds the new tags and combines the values of keys already tagged")
    func merge() {
        var tags: ResourceTags = ["Environment": "dev", "Team": "data"]
        tags.merge(["Environment": "prod", "Owner": "ops"]) { _, new in new }
        #expect(tags == ["Environment": "prod", "Owner": "ops", "Team": "data"])
        tags.merge(["Team": "web"]) { current, _ in current }
        #expect(tags["Team"] == "data")
    }

    @Test("ownership and drift read the observed tags")
    func ownershipAndDrift() {
        let tags = ResourceTags(
            ManagedResources.ownershipTags(forSpec: "orders").merging(["Environment": "dev"]) { a, _ in a })
        #expect(ManagedResources.isOwned(tags: tags, bySpec: "orders"))
        #expect(!ManagedResources.isOwned(tags: tags, bySpec: "other"))
        #expect(
            ManagedResources.tagDrift(desired: ["Environment": "prod", "Team": "data"], observed: tags)
                == ["Environment": "prod", "Team": "data"])
        #expect(ManagedResources.tagDrift(desired: ["Environment": "dev"], observed: tags).isEmpty)
    }
}
