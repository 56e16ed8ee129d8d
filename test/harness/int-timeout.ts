// Integration tests talk to real services (and some start a private Kafka broker).
jest.setTimeout(60_000);
