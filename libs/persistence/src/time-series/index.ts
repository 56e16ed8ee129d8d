export * from './time-series-mode';
export * from './hypertable';
export * from './time-series-table.entity';
