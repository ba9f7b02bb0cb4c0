// @grafana/schema declares fields such as FieldColorModeId or ThresholdsMode as TypeScript string
// enums, which no object literal can satisfy; a dashboard's JSON holds their strings. Literal<T>
// is T with every string enum replaced by the union of its values ("palette-classic" | ...), and
// otherwise the same: same required fields, same types, and excess-property checks on every
// object literal, so a misspelt or unknown field fails as well as a wrong type or a missing field.
export type Literal<T> = T extends string
  ? `${T}`
  : T extends (infer E)[]
    ? Literal<E>[]
    : T extends object
      ? { [K in keyof T]: Literal<T[K]> }
      : T;
