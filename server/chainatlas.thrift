// ChainAtlas service: one method per read command of the CLI, plus health and reload.
//
// Every response carries the fields of the CLI's `--json` document of the same command, under the
// same names (except `in`/`out`/`import`, which Thrift reserves: `in_relations`, `out_relations`,
// `import_id`). A JSON null becomes an unset optional field. Where the CLI's document holds an
// open set of attributes (a node's kind-specific fields, an edge's attributes) the struct has the
// typed common fields and a `json` string with the whole object.
//
// Options are optional fields: a server fills the CLI's default for an unset one, and new options
// can be added without breaking old clients. Limits: top 1..10000, search limit 1..10000, text
// arguments up to 1000 bytes, at most 1000 indicator targets.

namespace cpp chainatlas.rpc
namespace py chainatlas_rpc

// ---- errors --------------------------------------------------------------------------------------

// An id, name or region that does not exist; suggestions are the closest matches, best first.
exception NotFound {
  1: string message
  2: list<string> suggestions
}

// A malformed request (bad option value, out-of-range top, wrong kind of entity); suggestions are
// the candidates when a name was ambiguous.
exception InvalidArgument {
  1: string message
  2: list<string> suggestions
}

// reload without the admin token, or on a server without one.
exception PermissionDenied {
  1: string message
}

// The data could not be read (reload from a damaged or missing database); the old state stays.
exception Unavailable {
  1: string message
}

// ---- shared pieces ------------------------------------------------------------------------------

struct Ref {
  1: string id    // kind:key
  2: string name
}

// One term of a score: points = weight × value.
struct Component {
  1: string name
  2: double weight
  3: double value
  4: double points
}

// A recommended entity with its score, the components of the score and the explanation.
// Where a supply recommendation's best path comes from (docs/ontology.md).
struct Evidence {
  1: string kind       // curated, product, inferred, learned, industry
  2: string rule       // material_name, ..., sector_parts, same_industry; "" for given relations
  3: string tier       // product, learned or industry
  4: i64 rank_tier     // 0..3: items rank by it before score
}

struct Item {
  1: string id
  2: string name
  3: i64 rank
  4: string kind
  5: optional Ref region
  6: double score
  7: list<Component> components
  8: list<string> paths
  9: list<string> why
  10: bool known
  11: list<Ref> via
  12: optional list<Ref> partners
  13: optional Evidence evidence
}

// A node as `search`/`show` print it: the common fields, and the whole object as JSON (kind-
// specific attributes: uscc, founded, tags, level, position, ...).
struct Node {
  1: string id
  2: string kind
  3: string key
  4: string name
  5: optional string region
  6: string json
}

// Options shared by the recommendation methods (the CLI's --within --track --top --scorer
// --include-known).
struct RecOptions {
  1: optional string within
  2: optional string track
  3: optional i32 top          // default 10, 1..10000
  4: optional string scorer    // balanced (default), nearby, quality
  5: optional bool include_known
}

// ---- stats --------------------------------------------------------------------------------------

struct StatsRequest {
  1: optional string region
}

struct RegionCounts {
  1: string code
  2: string name
  3: string level
  4: i64 enterprise
  5: i64 hospital
  6: i64 institution
  7: i64 platform
}

struct TrackCounts {
  1: string id
  2: string name
  3: i64 segments
  4: i64 enterprises         // producing in the track or members of one of its segments
  5: i64 produces
  6: optional i64 member_of
}

struct StatsResponse {
  1: map<string, i64> nodes
  2: map<string, i64> edges
  3: i64 vertices
  4: i64 edge_total
  5: i64 adjacency_bytes
  6: list<RegionCounts> regions
  7: list<TrackCounts> tracks
  8: optional string region
  9: optional i64 enterprises_without_region  // only without a region focus
  10: map<string, i64> supplies_by_evidence
}

// ---- search / show ------------------------------------------------------------------------------

struct SearchRequest {
  1: string text
  2: optional string kind    // region, track, segment, enterprise, hospital, institution, platform
  3: optional i32 limit      // default 20, 1..10000
}

struct SearchResponse {
  1: string query
  2: list<Node> results
}

struct ShowRequest {
  1: string entity           // kind:key, key, USCC or exact name
}

struct Provenance {
  1: i64 import_id
  2: string source
  3: string file
  4: i64 line
  5: string imported_at
}

struct Relation {
  1: string kind
  2: string other            // the CLI's "target" (out) or "source" (in)
  3: string name
  4: double weight
  5: optional string attributes   // JSON object, when the relation has attributes
}

struct ShowResponse {
  1: Node node
  2: optional Provenance provenance
  3: optional list<string> region_path
  4: list<Relation> out_relations
  5: list<Relation> in_relations
}

// ---- chain / gaps -------------------------------------------------------------------------------

struct ChainRequest {
  1: string region
  2: optional string track
  3: optional string status  // gaps only: missing, weak, strong, extension, absent
}

struct SegmentGap {
  1: string id
  2: string name
  3: Ref track
  4: string position
  5: i64 depth
  6: string status
  7: double score
  8: list<Component> components
  9: list<Ref> local_producers
  10: i64 producers_elsewhere
  11: list<Ref> local_buyers
  12: list<Ref> local_hospitals
  13: list<Ref> fed_by_local_segments
  14: double location_quotient
  15: optional double density
  16: list<string> why
}

struct ChainResponse {
  1: Ref region
  2: optional Ref track
  3: map<string, i64> counts
  4: double completeness
  5: double weighted_completeness
  6: list<SegmentGap> segments
}

// ---- recommendations ----------------------------------------------------------------------------

struct PartnersRequest {
  1: string enterprise
  2: optional string role    // supplier (default), customer, peer
  3: optional RecOptions options
}

struct PartnerSegment {
  1: string id
  2: string name
  3: double share
  4: string via
}

struct PartnersResponse {
  1: Ref enterprise
  2: string role
  3: string scorer
  4: list<PartnerSegment> segments
  5: i64 candidates
  6: list<Item> items
  7: i64 known_hidden   // known partners left out (RecOptions.include_known lists them)
}

struct PairingsRequest {
  1: string enterprise
  2: optional string kind    // university (default), hospital, platform, triad
  3: optional RecOptions options
}

struct PairingsResponse {
  1: Ref enterprise
  2: string kind
  3: string scorer
  4: i64 candidates
  5: list<Item> items
}

struct TargetsRequest {
  1: string region
  2: optional RecOptions options   // within is not used
}

struct TargetsResponse {
  1: Ref region
  2: optional Ref track
  3: string scorer
  4: list<Ref> gaps
  5: i64 candidates
  6: list<Item> items
}

struct LeadersRequest {
  1: optional string region
  2: optional RecOptions options   // within is the region above; include_known is not used
}

struct LeadersResponse {
  1: optional Ref region
  2: optional Ref track
  3: string scorer
  4: i64 candidates
  5: list<Item> items
}

// Any recommender of the registry (matcher/registry.h) by name: suppliers, customers, peers,
// universities, hospitals, platforms, triads, targets, leaders.
struct RecommendRequest {
  1: string recommender
  2: optional string subject       // the enterprise or region it recommends for (leaders: optional)
  3: optional RecOptions options   // leaders and targets: within is not used
}

struct RecommendResponse {
  1: string recommender
  2: optional Ref subject
  3: string scorer
  4: i64 candidates
  5: list<Item> items
}

// ---- relatedness --------------------------------------------------------------------------------

struct RelatednessRequest {
  1: optional string level   // county, city, province (default: the region's level, else county)
  2: optional string track
  3: optional string region
  4: optional i32 top        // default 15, 0 for all, at most 10000
}

struct SegmentComplexity {
  1: string id
  2: string name
  3: double ubiquity
  4: optional double pci
}

struct RelatednessCell {
  1: Ref segment
  2: double activity
  3: double rca
  4: double m
  5: double density
  6: double distance
  7: optional double opportunity_gain
}

struct RegionRelatedness {
  1: string id
  2: string name
  3: double diversity
  4: optional double eci
  5: list<RelatednessCell> cells
}

struct RelatednessResponse {
  1: string level
  2: optional Ref track
  3: string activity
  4: double rca_threshold
  5: string opportunity_gain_definition
  6: list<SegmentComplexity> segments
  7: list<RegionRelatedness> regions
}

// ---- clusters -----------------------------------------------------------------------------------

struct ClustersRequest {
  1: optional string region
  2: optional i64 seed       // default 1
}

struct SegmentCount {
  1: string id
  2: string name
  3: i64 enterprises
}

struct Community {
  1: i64 id
  2: i64 size
  3: double internal_weight
  4: list<Ref> members
  5: list<SegmentCount> top_segments
}

struct ClustersResponse {
  1: optional Ref region
  2: string algorithm
  3: i64 enterprises
  4: i64 edges
  5: double modularity
  6: i64 levels
  7: list<Community> communities
}

// ---- indicators ---------------------------------------------------------------------------------

struct IndicatorTarget {
  1: string indicator
  2: double target
  3: optional string note
}

struct IndicatorsRequest {
  1: string region
  2: optional list<IndicatorTarget> targets   // the CLI's --targets file, inline (at most 1000)
}

struct Indicator {
  1: string name
  2: string description
  3: double value
  4: optional i64 reported_by
  5: optional i64 of
  6: optional double target
  7: optional double progress
  8: optional string note
  9: string unit        // 家, 万元, 个, 件, 人, 项
}

struct IndicatorsResponse {
  1: Ref region
  2: list<Indicator> indicators
}

// ---- health / reload ----------------------------------------------------------------------------

struct HealthResponse {
  1: string status           // "ok"
  2: string version
  3: i64 generation          // 1 at start, +1 per successful reload
  4: i64 vertices
  5: i64 edges
  6: double uptime_seconds
}

struct ReloadResponse {
  1: i64 generation
  2: i64 vertices
  3: i64 edges
  4: double seconds
}

service ChainAtlas {
  HealthResponse health()

  StatsResponse stats(1: StatsRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  SearchResponse search(1: SearchRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  ShowResponse show(1: ShowRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  // The whole panorama, in tree order.
  ChainResponse chain(1: ChainRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  // The gaps: by priority, then tree order; optionally one status.
  ChainResponse gaps(1: ChainRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  PartnersResponse partners(1: PartnersRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  PairingsResponse pairings(1: PairingsRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  TargetsResponse targets(1: TargetsRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  RelatednessResponse relatedness(1: RelatednessRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  LeadersResponse leaders(1: LeadersRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  RecommendResponse recommend(1: RecommendRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  ClustersResponse clusters(1: ClustersRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)
  IndicatorsResponse indicators(1: IndicatorsRequest request) throws (1: NotFound not_found, 2: InvalidArgument invalid)

  // Builds a new state from the database beside the current one and swaps it in; requests in
  // flight finish on the old one. Requires the token of --admin-token-file.
  ReloadResponse reload(1: string admin_token) throws (1: PermissionDenied denied, 2: Unavailable unavailable)
}
