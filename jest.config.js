/**
 * Tests run TypeScript through @swc/jest (TypeScript 7's native compiler has no ts-jest).
 * Type-checking is `npm run typecheck`. kubernetes-models ships ES modules only, so swc
 * also transforms it (and its @kubernetes-models/* dependencies) to CommonJS.
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(ts|js)$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex)/)'],
  // kubernetes-models publishes only the "import" export condition: resolve its files directly.
  moduleNameMapper: {
    '^kubernetes-models/(.*)$': '<rootDir>/node_modules/kubernetes-models/$1.js',
    '^@kubernetes-models/(base|validate)$': '<rootDir>/node_modules/@kubernetes-models/$1/dist/index.js',
    '^@kubernetes-models/validate/runtime/(.*)$': '<rootDir>/node_modules/@kubernetes-models/validate/dist/runtime/$1.js',
    '^@kubernetes-models/apimachinery/(.*)$': '<rootDir>/node_modules/@kubernetes-models/apimachinery/$1.js',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  collectCoverageFrom: ['lib/**/*.ts'],
  // Recycle a worker that grew large (suites that build the whole two-cluster platform), so a run cannot exhaust memory.
  workerIdleMemoryLimit: '1GB',
};
