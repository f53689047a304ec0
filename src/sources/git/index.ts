/** The Git source's public API: find repositories, capture one into a staged git dir. */
export { captureGitRepository } from './capture.js';
export { discoverGitRepositories, type DiscoverOptions } from './discover.js';
export { GitCaptureError, GitRepositoryError } from './errors.js';
export type { GitCapture, GitCaptureOptions, GitRepository, LinkMethod } from './types.js';
