/// The schema of the torch-rechub Ali-CCP files: click and purchase tasks, 23 id fields (field `101` is the
/// user, also the GAUC group) and 8 numeric fields already scaled to [0, 1]. Purchase counts on every row;
/// mask it to clicked rows with `DataSchema.maskingTask("purchase", where: "click", equals: "1")`.
let aliCCPSchemaYAML = """
name: ali-ccp
format: {delimiter: ",", header: true}
features:
  - {name: "101", kind: categorical}
  - {name: "121", kind: categorical}
  - {name: "122", kind: categorical}
  - {name: "124", kind: categorical}
  - {name: "125", kind: categorical}
  - {name: "126", kind: categorical}
  - {name: "127", kind: categorical}
  - {name: "128", kind: categorical}
  - {name: "129", kind: categorical}
  - {name: "205", kind: categorical}
  - {name: "206", kind: categorical}
  - {name: "207", kind: categorical}
  - {name: "210", kind: categorical}
  - {name: "216", kind: categorical}
  - {name: "508", kind: categorical}
  - {name: "509", kind: categorical}
  - {name: "702", kind: categorical}
  - {name: "853", kind: categorical}
  - {name: "301", kind: categorical}
  - {name: "109_14", kind: categorical}
  - {name: "110_14", kind: categorical}
  - {name: "127_14", kind: categorical}
  - {name: "150_14", kind: categorical}
  - {name: D109_14, kind: numeric}
  - {name: D110_14, kind: numeric}
  - {name: D127_14, kind: numeric}
  - {name: D150_14, kind: numeric}
  - {name: D508, kind: numeric}
  - {name: D509, kind: numeric}
  - {name: D702, kind: numeric}
  - {name: D853, kind: numeric}
labels:
  - {name: click, kind: binary, column: click}
  - {name: purchase, kind: binary, column: purchase}
groupKey: "101"
"""
