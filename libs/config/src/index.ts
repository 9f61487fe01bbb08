export * from './config-error';
export * from './env';
export * from './sources';
export * from './hookbus-config';
export * from './console-users';
export * from './cli';
