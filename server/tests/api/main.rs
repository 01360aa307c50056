//! The server's tests over HTTP and processes, in one binary (one link, one set of helpers):
//! the real router on a free port with a fresh store (`helpers`), called the way a browser
//! calls it; the store on DynamoDB through moto; the real `server` and `lambda` binaries
//! killed, faulted and driven under a local Lambda Runtime API. Each module is one area;
//! most scenarios run once per store.

mod helpers;

mod abuse;
mod activity;
mod authz;
mod basics;
mod crash;
mod dynamodb;
mod end_users;
mod export;
mod faults;
mod forms;
mod fuzz;
mod group;
mod hostile;
mod lambda;
mod mapping_import;
mod microsoft;
mod scenarios;
mod sessions;
mod site;
mod stale;
mod suggestions;
mod user_sync;
