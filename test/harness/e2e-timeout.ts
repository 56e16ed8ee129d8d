// End-to-end tests start app processes and brokers, and wait out outages.
jest.setTimeout(180_000);
