// The architecture as rules (npm run lint runs them): one engine, three doors, every arrow one-way.
//
//   protocol  <-  kernel  ->  executors  ->  engine
//                   |  \____________________/  ^
//                   v                          |
//                session  ------------------>--+
//   host  ->  engine, session, remote (the gRPC contract)
//   client -> protocol's wire code;  cli -> anything
//
// A rule's name is what a failing check prints: it should say what went wrong.
const PARTS = 'protocol|engine|kernel|session|executors|remote|host|cli|client';
const parts = (names) => `^src/(${names})/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other in a circle; move what both need into a third module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-knows-no-cuda',
      severity: 'error',
      comment: 'src/protocol is a generic Jupyter runtime: it defines the Interpreter seam and imports no other part of icuda.',
      from: { path: parts('protocol') },
      to: { path: [parts(PARTS.replace('protocol|', '')), '^src/settings/'] },
    },
    {
      name: 'engine-knows-no-jupyter',
      severity: 'error',
      comment: 'src/engine compiles and runs CUDA programs; it knows nothing of Jupyter, ZeroMQ, gRPC or the doors onto it.',
      from: { path: parts('engine') },
      to: {
        path: [parts('protocol|kernel|session|executors|remote|host|cli|client'), '^src/settings/', 'node_modules/(zeromq|@grpc)/'],
      },
    },
    {
      name: 'session-knows-no-jupyter',
      severity: 'error',
      comment: 'src/session (session cells) builds on the engine only, so the GPU host can use it too.',
      from: { path: parts('session') },
      to: { path: [parts('protocol|kernel|executors|remote|host|cli|client'), 'node_modules/(zeromq|@grpc)/'] },
    },
    {
      name: 'kernel-speaks-only-the-seam',
      severity: 'error',
      comment:
        'src/kernel implements the Interpreter seam: from src/protocol it may import interpreter.ts only, never the wire, sockets or ZeroMQ.',
      from: { path: parts('kernel') },
      to: { path: ['^src/protocol/(?!interpreter\\.ts$)', parts('host|cli|client|remote'), 'node_modules/(zeromq|@grpc)/'] },
    },
    {
      name: 'executors-know-no-jupyter',
      severity: 'error',
      comment: 'Executors run a plain job on the engine, a GPU host or Slurm; they know nothing of Jupyter or the kernel.',
      from: { path: parts('executors') },
      to: { path: [parts('protocol|kernel|host|cli|client'), 'node_modules/zeromq/'] },
    },
    {
      name: 'remote-contract-stands-alone',
      severity: 'error',
      comment: 'src/remote is the gRPC contract shared by the host and the remote executor; it imports neither.',
      from: { path: parts('remote') },
      to: { path: parts('protocol|kernel|session|executors|host|cli|client') },
    },
    {
      name: 'host-knows-no-jupyter',
      severity: 'error',
      comment: 'The GPU host serves the engine over gRPC; it never imports the Jupyter runtime or the kernel.',
      from: { path: parts('host') },
      to: { path: [parts('protocol|kernel|executors|cli|client'), 'node_modules/zeromq/'] },
    },
    {
      name: 'client-speaks-the-wire-only',
      severity: 'error',
      comment: "src/client (icuda run's Jupyter client) shares the protocol's wire code and nothing of the CUDA side.",
      from: { path: parts('client') },
      to: { path: parts('engine|kernel|session|executors|remote|host|cli') },
    },
    {
      name: 'settings-read-only-in-settings',
      severity: 'error',
      comment: 'Only src/cli and src/main.ts turn the environment into settings; the parts get values passed down.',
      from: { path: parts('protocol|engine|session|remote') },
      to: { path: '^src/settings/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    exclude: { path: '^(dist|node_modules|\\.venv)/' },
  },
};
