print("raftsh")
