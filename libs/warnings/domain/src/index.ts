export * from './deadline-engine';
