// Every domain's actions under one name, for code written against the old single
// module. New code imports the domain module it uses (./guilds, ./messages, ...).
export * from "./common";
export * from "./friends";
export * from "./guilds";
export * from "./messages";
export * from "./polls";
export * from "./readstates";
export * from "./search";
export * from "./session";
