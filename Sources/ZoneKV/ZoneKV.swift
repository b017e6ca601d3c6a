// ZoneKV: a key-value object store for zoned NVMe SSDs.
//
// The store itself is built on the zoned device layer, which this module re-exports so that
// embedders reach devices, geometry and errors through `import ZoneKV` alone.
@_exported public import ZoneKVDevice
