/**
 * The layers of the code base (docs/architecture.md) and the only directions their imports may
 * run: cli → gateway, sim → drivers → core. `npm test` runs this (test/architecture.test.ts), so a
 * new arrow that runs back up, or a new cycle, fails the suite.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'A cycle means two modules are one module in two files: merge them or move the shared part down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-nothing',
      severity: 'error',
      comment:
        'core/ is what every layer shares: it may import node built-ins only, nothing of the project or npm.',
      from: { path: '^core/' },
      to: { pathNot: ['^core/', '^node:'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'drivers-import-core-only',
      severity: 'error',
      comment:
        'Drivers report what they read; the gateway judges it. A driver imports core/ (and npm packages) only.',
      from: { path: '^drivers/' },
      to: { path: '^(gateway|sim|cli|testkit|bench|test|ui)/' },
    },
    {
      name: 'gateway-imports-core-and-registry',
      severity: 'error',
      comment:
        'The gateway reaches drivers through their registry and its contract (drivers/registry.ts, drivers/types.ts), never a driver folder.',
      from: { path: '^gateway/' },
      to: {
        path: '^(sim|cli|testkit|bench|test|ui)/|^drivers/',
        pathNot: '^drivers/(registry|types)\\.ts$',
      },
    },
    {
      name: 'sim-imports-core-and-driver-frames',
      severity: 'error',
      comment:
        'Simulators speak the wire format: they may use core/ and the drivers’ frame and constants modules, never the gateway.',
      from: { path: '^sim/' },
      to: { path: '^(gateway|cli|testkit|bench|test|ui)/' },
    },
    {
      name: 'sim-uses-driver-wire-modules-only',
      severity: 'error',
      comment:
        'A simulator encodes bytes with the driver’s frame/constants code, not its session or driver logic.',
      from: { path: '^sim/' },
      to: {
        path: '^drivers/',
        pathNot:
          '^drivers/[^/]+/(frame|constants|line|text|codec|wire|multipart|[a-z-]+-wire)\\.ts$|^drivers/serial/(splitter|link)\\.ts$',
      },
    },
    {
      name: 'ui-imports-core-only',
      severity: 'error',
      comment:
        'The dashboard runs in the browser: it may share core/ (the code table, types) and nothing else.',
      from: { path: '^ui/' },
      to: { path: '^(gateway|drivers|sim|cli|testkit|bench|test)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-cli-bench-or-tests',
      severity: 'error',
      comment: 'cli/, bench/ and the tests sit on top: nothing below may import them.',
      from: { path: '^(core|drivers|gateway|sim|testkit|ui)/' },
      to: { path: '^(cli|bench|test)/' },
    },
    {
      name: 'production-code-imports-no-testkit',
      severity: 'error',
      comment: 'testkit/ serves tests and benchmarks only.',
      from: { path: '^(core|drivers|gateway|sim|cli|ui)/' },
      to: { path: '^testkit/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|var|coverage|test-results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
